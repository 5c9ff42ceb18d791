{{/* The chart name, or nameOverride. */}}
{{- define "kvs-gateway.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The full name of the release's resources: fullnameOverride, or release name + chart name (once if one holds the other). */}}
{{- define "kvs-gateway.fullname" -}}
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

{{/* name-version, as the helm.sh/chart label wants it. */}}
{{- define "kvs-gateway.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels that select the pods; they never change over upgrades. */}}
{{- define "kvs-gateway.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kvs-gateway.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels on every resource. */}}
{{- define "kvs-gateway.labels" -}}
helm.sh/chart: {{ include "kvs-gateway.chart" . }}
{{ include "kvs-gateway.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: gateway
app.kubernetes.io/part-of: kvs-gateway
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "kvs-gateway.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "kvs-gateway.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "kvs-gateway.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The chart's Secret's entries: environment variables (relaxed binding), so that no secret lands in the ConfigMap. */}}
{{- define "kvs-gateway.secretData" -}}
{{- $data := dict }}
{{- with .Values.secrets.localAccessKeyId }}{{ $_ := set $data "GATEWAY_LOCAL_ACCESS_KEY_ID" . }}{{ end }}
{{- with .Values.secrets.localSecretAccessKey }}{{ $_ := set $data "GATEWAY_LOCAL_SECRET_ACCESS_KEY" . }}{{ end }}
{{- toYaml $data }}
{{- end }}

{{/* The Secret the container reads its secret variables from: the chart's when it has entries, else existingSecret, else none. */}}
{{- define "kvs-gateway.secretName" -}}
{{- if and .Values.secrets.create (include "kvs-gateway.secretData" . | fromYaml) }}
{{- include "kvs-gateway.fullname" . }}
{{- else if .Values.secrets.existingSecret }}
{{- .Values.secrets.existingSecret }}
{{- end }}
{{- end }}

{{/* The most pods that can run at once: the fixed count, or the autoscaler's maximum. */}}
{{- define "kvs-gateway.maxReplicas" -}}
{{- if .Values.autoscaling.enabled }}{{ .Values.autoscaling.maxReplicas | int }}{{ else }}{{ .Values.replicaCount | int }}{{ end }}
{{- end }}

{{/* The fewest pods that run when nothing is disrupted: the fixed count, or the autoscaler's minimum. */}}
{{- define "kvs-gateway.minReplicas" -}}
{{- if .Values.autoscaling.enabled }}{{ .Values.autoscaling.minReplicas | int }}{{ else }}{{ .Values.replicaCount | int }}{{ end }}
{{- end }}

{{/*
Refuses settings that deploy but cannot work. The quota scheduler's local store keeps budgets and leases
in one process: with more than one pod every pod would admit the stream's whole KVS quota on its own, so
more than one replica (or an autoscaler) needs the Redis store.
*/}}
{{- define "kvs-gateway.validate" -}}
{{- $multiple := or .Values.autoscaling.enabled (gt (.Values.replicaCount | int) 1) }}
{{- if and $multiple (ne .Values.quota.store "redis") }}
{{- fail "kvs-gateway: more than one replica (replicaCount > 1 or autoscaling.enabled) requires quota.store=redis, so that all replicas share the per-stream KVS budgets; set quota.store=redis and quota.redis.url (or quota.redis.existingSecret)" }}
{{- end }}
{{- if and $multiple .Values.persistence.enabled (not .Values.persistence.existingClaim) (eq .Values.persistence.accessMode "ReadWriteOnce") }}
{{- fail "kvs-gateway: persistence.enabled with more than one replica needs a claim every pod can mount (persistence.accessMode=ReadWriteMany or persistence.existingClaim); a ReadWriteOnce claim fits one replica" }}
{{- end }}
{{- end }}

{{/* The application.yaml the ConfigMap holds: the chart's settings, then gateway.extraConfig over them. */}}
{{- define "kvs-gateway.applicationConfig" -}}
{{- $quota := dict "store" .Values.quota.store "redis-unavailable" .Values.quota.redisUnavailable "replicas" (include "kvs-gateway.maxReplicas" . | int) }}
{{- if and (eq .Values.quota.store "redis") (not .Values.quota.redis.existingSecret) }}
{{- $_ := set $quota "redis" (dict "url" .Values.quota.redis.url) }}
{{- end }}
{{- $gateway := dict "kvs" (dict "mode" .Values.gateway.kvs.mode "region" .Values.gateway.kvs.region) "quota" $quota }}
{{- $config := dict "gateway" $gateway }}
{{- $jwt := dict }}
{{- with .Values.gateway.jwt.issuerUri }}{{ $_ := set $jwt "issuer-uri" . }}{{ end }}
{{- with .Values.gateway.jwt.jwkSetUri }}{{ $_ := set $jwt "jwk-set-uri" . }}{{ end }}
{{- if $jwt }}
{{- $_ := set $config "spring" (dict "security" (dict "oauth2" (dict "resourceserver" (dict "jwt" $jwt)))) }}
{{- end }}
{{- toYaml (mustMergeOverwrite $config (deepCopy .Values.gateway.extraConfig)) }}
{{- end }}
