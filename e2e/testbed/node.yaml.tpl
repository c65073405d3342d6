# A KWOK node: a Node object the kwok-controller keeps Ready and whose pods it
# moves to Running/Ready through its fast stages — no kubelet, no containers.
apiVersion: v1
kind: Node
metadata:
  name: NAME
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/hostname: NAME
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    kubernetes.io/role: agent
    node-role.kubernetes.io/agent: ""
    type: kwok
    topology.kubernetes.io/region: REGION
    topology.kubernetes.io/zone: ZONE
spec:
  taints: []
status:
  allocatable:
    cpu: "CPU"
    memory: MEMORY
    pods: "110"
  capacity:
    cpu: "CPU"
    memory: MEMORY
    pods: "110"
  nodeInfo:
    architecture: amd64
    kubeletVersion: fake
    kubeProxyVersion: fake
    operatingSystem: linux
  phase: Running
