{{- define "gateway.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "gateway.fullname" -}}
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

{{- define "gateway.selectorLabels" -}}
app.kubernetes.io/name: {{ include "gateway.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "gateway.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "gateway.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "gateway.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "gateway.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "gateway.tlsSecretName" -}}
{{- default (printf "%s-tls" (include "gateway.fullname" .)) .Values.tls.existingSecret }}
{{- end }}

{{/* The names clients reach the gateway by: the Service's DNS names, the resource alias, and any extra. */}}
{{- define "gateway.dnsNames" -}}
{{- $fullname := include "gateway.fullname" . -}}
{{- $ns := .Release.Namespace -}}
{{- $names := list $fullname (printf "%s.%s" $fullname $ns) (printf "%s.%s.svc" $fullname $ns) (printf "%s.%s.svc.%s" $fullname $ns .Values.clusterDomain) -}}
{{- with (index .Values.twingate.resource.extraAnnotations "resource.twingate.com/alias") }}
{{- $names = append $names . -}}
{{- end }}
{{- concat $names .Values.tls.dnsNames | uniq | toJson -}}
{{- end }}

{{/* The HOCON the gateway reads [SPEC §8]. */}}
{{- define "gateway.config" -}}
twingate {
  network = {{ .Values.twingate.network | quote }}
  host = {{ .Values.twingate.host | quote }}
}
bindAddress = "0.0.0.0"
port = {{ .Values.containerPorts.https }}
metricsPort = {{ .Values.containerPorts.metrics }}
tls {
  certificateFile = "/etc/gateway/tls/tls.crt"
  privateKeyFile = "/etc/gateway/tls/tls.key"
}
kubernetes.upstreams = [ { name = "in-cluster", inCluster = true } ]
{{- with .Values.extraConfig }}
{{ . }}
{{- end }}
{{- end }}
