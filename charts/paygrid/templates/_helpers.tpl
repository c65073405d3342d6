{{/*
Names and labels shared by every template.
*/}}

{{/* The chart name, or nameOverride. */}}
{{- define "paygrid.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The full name of the release's objects: fullnameOverride, else the release name when it
already contains the chart name (release "paygrid" -> "paygrid"), else <release>-<chart>.
Cluster-scoped objects (ClusterRole, ClusterRoleBinding, ValidatingWebhookConfiguration) use it
too, so two releases in one cluster need different names.
*/}}
{{- define "paygrid.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "paygrid.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every object. */}}
{{- define "paygrid.labels" -}}
helm.sh/chart: {{ include "paygrid.chart" . }}
{{ include "paygrid.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: paygrid
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Labels that select the operator's pods (never change them: a Deployment's selector is immutable). */}}
{{- define "paygrid.selectorLabels" -}}
app.kubernetes.io/name: {{ include "paygrid.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{- define "paygrid.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "paygrid.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* registry/repository:tag or registry/repository@digest. */}}
{{- define "paygrid.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/* The Service in front of the operator (metrics, webhook, routes API). */}}
{{- define "paygrid.serviceName" -}}
{{- include "paygrid.fullname" . }}
{{- end }}

{{/* Secret holding the webhook's serving certificate (tls.crt, tls.key, ca.crt). */}}
{{- define "paygrid.webhookTlsSecret" -}}
{{- printf "%s-webhook-tls" (include "paygrid.fullname" .) }}
{{- end }}

{{/* Secret holding the chart-generated CA (tls.crt, tls.key); never mounted in the pods. */}}
{{- define "paygrid.webhookCaSecret" -}}
{{- printf "%s-webhook-ca" (include "paygrid.fullname" .) }}
{{- end }}

{{/* The DNS names the apiserver uses to reach the webhook Service. */}}
{{- define "paygrid.webhookDnsNames" -}}
{{- $svc := include "paygrid.serviceName" . }}
{{- $ns := .Release.Namespace }}
{{- $names := list $svc (printf "%s.%s" $svc $ns) (printf "%s.%s.svc" $svc $ns) (printf "%s.%s.svc.%s" $svc $ns .Values.clusterDomain) }}
{{- $host := include "paygrid.webhookUrlHost" . }}
{{- if and $host (not (include "paygrid.isIP" $host)) }}
{{- $names = append $names $host }}
{{- end }}
{{- $names | uniq | toJson }}
{{- end }}

{{/* The serving certificate's IP addresses: webhook.url's host when it is an IP. */}}
{{- define "paygrid.webhookIPs" -}}
{{- $host := include "paygrid.webhookUrlHost" . }}
{{- if and $host (include "paygrid.isIP" $host) }}
{{- list $host | toJson }}
{{- else }}
{{- list | toJson }}
{{- end }}
{{- end }}

{{/* The host of webhook.url ("" when the apiserver calls the Service). */}}
{{- define "paygrid.webhookUrlHost" -}}
{{- with .Values.webhook.url }}{{ (urlParse .).hostname }}{{ end }}
{{- end }}

{{/* "true" when the argument is an IPv4 or IPv6 address. */}}
{{- define "paygrid.isIP" -}}
{{- if or (regexMatch "^[0-9]+(\\.[0-9]+){3}$" .) (contains ":" .) }}true{{ end }}
{{- end }}

{{/* Where the serving certificate is mounted in the operator's container. */}}
{{- define "paygrid.webhookCertDir" -}}
/etc/paygrid/webhook-certs
{{- end }}

{{/* The fields every webhook of the ValidatingWebhookConfiguration shares. */}}
{{- define "paygrid.webhookCommon" -}}
admissionReviewVersions: [v1]
sideEffects: None
matchPolicy: Equivalent
failurePolicy: {{ .failurePolicy }}
timeoutSeconds: {{ .Values.webhook.timeoutSeconds }}
clientConfig:
  {{- with .Values.webhook.url }}
  url: {{ printf "%s%s" (trimSuffix "/" .) $.path | quote }}
  {{- else }}
  service:
    name: {{ .svc }}
    namespace: {{ .ns }}
    path: {{ .path }}
    port: {{ .Values.service.ports.webhook }}
  {{- end }}
  {{- if .caBundle }}
  caBundle: {{ .caBundle | b64enc }}
  {{- end }}
{{- with .Values.webhook.objectSelector }}
objectSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* CEL: only calls that can change what the webhook checks (create, or an update of the spec of an object not being deleted). */}}
{{- define "paygrid.specChanged" -}}
request.operation != 'UPDATE' || (!has(object.metadata.deletionTimestamp) && (!has(object.spec) || !has(oldObject.spec) || object.spec != oldObject.spec))
{{- end }}
