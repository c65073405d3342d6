# paygrid — `make help` lists the targets.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PAYGRID_CACHE ?= $(HOME)/.cache/paygrid
export PAYGRID_CACHE
include e2e/testbed/versions.env

# Use Node $(NODE_VERSION) from the npm registry's `node` package when the
# system Node is older than package.json's engines ask.
SYSTEM_NODE_MAJOR := $(shell node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
NODE_DIR := $(PAYGRID_CACHE)/node-$(NODE_VERSION)
ifeq ($(shell [ $(SYSTEM_NODE_MAJOR) -ge $(NODE_VERSION) ] && echo ok),ok)
NODE_STAMP :=
else
NODE_STAMP := $(NODE_DIR)/node_modules/.bin/node
export PATH := $(NODE_DIR)/node_modules/.bin:$(PATH)
endif

JEST := node --experimental-vm-modules node_modules/jest/bin/jest.js

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  \033[1m%-16s\033[0m %s\n", $$1, $$2}'

$(NODE_DIR)/node_modules/.bin/node:
	@echo "[node] system Node is $(SYSTEM_NODE_MAJOR); installing Node $(NODE_VERSION) into $(NODE_DIR)"
	@mkdir -p $(NODE_DIR) && cd $(NODE_DIR) && npm install --no-save --no-audit --no-fund --prefix $(NODE_DIR) node@$(NODE_VERSION) >/dev/null
	@$@ --version

node_modules/.installed: package.json operator/package.json e2e/package.json $(wildcard workloads/*/package.json) $(wildcard package-lock.json) | $(NODE_STAMP)
	npm ci --no-audit --no-fund
	@touch $@

.PHONY: deps
deps: node_modules/.installed ## Install Node (if needed) and npm dependencies

.PHONY: tools
tools: ## Build kube-apiserver, etcd, kwok, helm, kind from the Go module proxy; fetch third-party CRDs (cached)
	bash e2e/testbed/build-tools.sh

.PHONY: generate
generate: deps ## Generate TypeScript types and chart CRDs and docs/resources.md from crds/*.yaml
	node operator/scripts/generate.mjs
	node operator/scripts/generate-docs.mjs

.PHONY: verify-generate
verify-generate: deps ## Fail when generated files drift from crds/
	node operator/scripts/generate.mjs --check
	node operator/scripts/generate-docs.mjs --check

.PHONY: build
build: deps ## Compile TypeScript (operator, e2e, workloads) and bundle the console page (esbuild)
	npx tsc -b
	chmod +x operator/dist/cli/kubectl-paygrid.js
	node operator/scripts/build-console.mjs

.PHONY: lint
lint: deps ## ESLint and Prettier
	npx eslint .
	npx prettier --check .

.PHONY: test-unit
test-unit: deps ## Unit tests (no cluster)
	$(JEST) --selectProjects unit

.PHONY: check-dashboards
check-dashboards: ## Every PromQL query of the Grafana dashboards parsed by Prometheus's own parser (Go, from the Go module proxy)
	cd operator/src/dashboards/promql-check && go test ./... && go run . ../../../../charts/paygrid/dashboards/*.json

.PHONY: test-workloads
test-workloads: build image-local ## The payment services (processes and images) on a real PostgreSQL of their own (initdb + pg_ctl in a temp dir)
	bash workloads/scripts/with-postgres.sh $(JEST) --selectProjects workloads

.PHONY: testbed-up
testbed-up: tools build ## Start five real clusters (hub, cloud-eu, edge-a, edge-b, cloud-us)
	bash e2e/testbed/testbed.sh up

.PHONY: testbed-down
testbed-down: ## Stop and delete the testbed clusters
	bash e2e/testbed/testbed.sh down

.PHONY: test-integration
test-integration: tools build image-local browser-deps ## Integration and e2e tests on the testbed (brings it up and down)
	bash e2e/testbed/with-testbed.sh $(JEST) --selectProjects integration --runInBand

.PHONY: test-real-pods
test-real-pods: tools build image-local ## Payments through faults on real pods: kubelet (cached per version), containerd/CNI/iptables from apt, testbed with real nodes, suites, down
	bash e2e/testbed/build-tools.sh kubelet
	bash e2e/testbed/real-node-deps.sh
	PAYGRID_REAL_NODES=1 bash e2e/testbed/with-testbed.sh $(JEST) --selectProjects integration real-pods --runInBand \
	  e2e/src/real-pods.e2e.test.ts e2e/src/fault-matrix/fault-matrix.real.test.ts \
	  e2e/src/fault-matrix/ledger-cloud.real.test.ts

.PHONY: test-payments-full
test-payments-full: tools build image-local ## The whole fault matrix on real pods: test-real-pods' cases, then flapping, leader handover with two replicas, both edges down (not in CI)
	bash e2e/testbed/build-tools.sh kubelet
	bash e2e/testbed/real-node-deps.sh
	PAYGRID_REAL_NODES=1 bash e2e/testbed/with-testbed.sh $(JEST) --selectProjects integration real-pods --runInBand \
	  e2e/src/real-pods.e2e.test.ts e2e/src/fault-matrix/

.PHONY: test
test: lint verify-generate build test-unit check-dashboards test-workloads test-integration test-real-pods ## Everything CI runs

.PHONY: demo
demo: tools build ## Testbed + CRDs + members + operator + example gateway, converging (leaves it running)
	bash e2e/testbed/demo.sh up

.PHONY: demo-down
demo-down: ## Stop the demo's operator and testbed
	bash e2e/testbed/demo.sh down

.PHONY: bench-workloads
bench-workloads: build ## Payment services: ledger (vs a naive one-transaction-per-transfer baseline), authorization stand-in and online paths
	bash workloads/scripts/with-postgres.sh node workloads/ledger/dist/bench/ledger-bench.js
	node workloads/authorization/dist/bench/stand-in.js $${BENCH_SECONDS:-10} 32
	bash workloads/scripts/with-postgres.sh node workloads/authorization/dist/bench/online.js $${BENCH_SECONDS:-10} 64

.PHONY: bench-payments
bench-payments: build ## Terminal fleet through a site crash, sites as local processes on a real PostgreSQL: approvals/s, p50/p99, longest gap, reconciliation (BENCH_RATES=50,100,200,400 BENCH_SECONDS=20)
	bash workloads/scripts/with-postgres.sh node e2e/dist/bench/payments-bench.js

.PHONY: bench-payments-real
bench-payments-real: tools build image-local ## The same fleet on real pods under the operator: real-node testbed, a real site crash per rate (BENCH_RATES=16,32,64 BENCH_SECONDS=30)
	bash e2e/testbed/build-tools.sh kubelet
	bash e2e/testbed/real-node-deps.sh
	PAYGRID_REAL_NODES=1 bash e2e/testbed/with-testbed.sh node e2e/dist/bench/payments-real-bench.js

.PHONY: bench-failover
bench-failover: tools build ## Failover benchmark on the testbed: detection and time to serve (BENCH_N=10)
	bash e2e/testbed/with-testbed.sh node e2e/dist/bench/failover-bench.js

.PHONY: bench-scale
bench-scale: tools build ## Scale benchmark on the testbed: N gateways to all-Ready, writes at rest, reconcile p50/p99, RSS/CPU, member outage (BENCH_N=1000 BENCH_RUNS=3 BENCH_REST_SECONDS=300; BENCH_BASELINE_OPERATOR=<other build>/operator/dist/main.js adds its runs and the ratios)
	bash e2e/testbed/with-testbed.sh node e2e/dist/bench/scale-bench.js

.PHONY: bench-karmada
bench-karmada: tools build ## The scale figures for Karmada v1.16.0 on the same testbed (builds it once; BENCH_N=1000 BENCH_RUNS=3 BENCH_REST_SECONDS=300)
	bash e2e/testbed/build-karmada.sh
	bash e2e/testbed/with-testbed.sh node e2e/dist/bench/karmada-bench.js

.PHONY: bench-console
bench-console: build browser-deps ## The console page in Chromium at 1,000 gateways: first render, search, filter, a push, layout shift (BENCH_N=1000 BENCH_RUNS=10)
	node e2e/dist/bench/console-bench.js

.PHONY: test-console-pod
test-console-pod: tools build image-local browser-deps ## kubectl paygrid console against the chart-installed operator pod on a real hub node (real-node testbed)
	bash e2e/testbed/build-tools.sh kubelet
	bash e2e/testbed/real-node-deps.sh
	PAYGRID_REAL_NODES=1 bash e2e/testbed/with-testbed.sh $(JEST) --selectProjects real-pods --runInBand e2e/src/console-pod.real.test.ts

# The images: the operator and the three payment services, all tagged with the project's version.
# CONTAINER_TOOL is docker where a Docker engine answers, else podman (through
# e2e/image/podman.sh, which fits podman to sandboxed hosts).
VERSION := $(shell sed -n 's/^  "version": "\(.*\)",$$/\1/p' operator/package.json)
REGISTRY ?= ghcr.io/paygrid
IMAGE ?= $(REGISTRY)/operator:$(VERSION)
WORKLOADS := authorization ledger analytics
CONTAINER_TOOL ?= $(shell docker info >/dev/null 2>&1 && echo docker || echo bash e2e/image/podman.sh)
IMAGE_BUILD_ARGS ?=
# What the image suites run: built by image-local on stand-ins for the base images.
E2E_IMAGE ?= localhost/paygrid/operator:e2e
E2E_WORKLOAD_IMAGE_PREFIX ?= localhost/paygrid
export E2E_IMAGE E2E_WORKLOAD_IMAGE_PREFIX

.PHONY: image
image: ## Build the operator and service images (REGISTRY=ghcr.io/paygrid, tag = version; Docker, or podman)
	$(CONTAINER_TOOL) build -f operator/Dockerfile -t $(IMAGE) $(IMAGE_BUILD_ARGS) .
	for s in $(WORKLOADS); do \
	  $(CONTAINER_TOOL) build -f workloads/Dockerfile --build-arg SERVICE=$$s -t $(REGISTRY)/$$s:$(VERSION) $(IMAGE_BUILD_ARGS) . ; \
	done

.PHONY: browser-deps
browser-deps: ## Install Debian's chromium from apt when missing (the console's browser tests)
	bash e2e/testbed/browser-deps.sh

.PHONY: image-tools
image-tools: ## Install podman, runc and debootstrap from apt when missing (for image-local)
	bash e2e/image/install-tools.sh

.PHONY: image-local
image-local: image-tools deps ## Build the images without any registry: local stand-ins for their base images
	bases=$$(bash e2e/image/local-bases.sh) && eval "$$bases" && \
	bash e2e/image/podman.sh build -f operator/Dockerfile -t $(E2E_IMAGE) \
	  --build-arg NODE_IMAGE=$$NODE_IMAGE --build-arg RUNTIME_IMAGE=$$RUNTIME_IMAGE . && \
	for s in $(WORKLOADS); do \
	  bash e2e/image/podman.sh build -f workloads/Dockerfile --build-arg SERVICE=$$s -t $(E2E_WORKLOAD_IMAGE_PREFIX)/$$s:e2e \
	    --build-arg NODE_IMAGE=$$NODE_IMAGE --build-arg RUNTIME_IMAGE=$$RUNTIME_IMAGE . ; \
	done
	@# In CI, keep a week of untagged build stages (the layer cache), not every build's; on a
	@# workstation the image store is its owner's to prune.
	if [ "$${CI:-}" = true ]; then bash e2e/image/podman.sh image prune --force --filter until=168h >/dev/null; fi
