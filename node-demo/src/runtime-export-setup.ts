import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The flags and environment runtime-sim needs to export its traces to an OTLP receiver, the way each real
 * runtime is configured: CRI-O takes --enable-tracing and --tracing-endpoint (OTLP/gRPC; its root sampling
 * rate, default 0, follows the kubelet's decision); containerd 2.x reads OTEL_EXPORTER_OTLP_* and exports
 * http/protobuf by default, so with an OTLP/HTTP receiver it gets only OTEL_EXPORTER_OTLP_ENDPOINT, and
 * without one the protocol is set to grpc; containerd 1.6 reads the otlp plugin table of its config.toml
 * (sampling_ratio stays at its default 1.0).
 */
export function runtimeExportSetup(
  persona: 'crio' | 'containerd',
  personaVersion: string | undefined,
  receiverAddress: string,
  workDir: string,
  crioSamplingRatePerMillion = 0,
  httpReceiverAddress?: string,
): { args: string[]; env: NodeJS.ProcessEnv } {
  const versionArgs = personaVersion === undefined ? [] : ['--persona-version', personaVersion];
  if (persona === 'crio') {
    return {
      args: [...versionArgs, '--enable-tracing', '--tracing-endpoint', receiverAddress, '--tracing-sampling-rate-per-million', String(crioSamplingRatePerMillion)],
      env: process.env,
    };
  }
  if (personaVersion === '1.6') {
    const configPath = join(workDir, 'containerd-config.toml');
    writeFileSync(configPath, [
      'version = 2',
      '[plugins."io.containerd.tracing.processor.v1.otlp"]',
      `  endpoint = "${receiverAddress}"`,
      '  protocol = "grpc"',
      '  insecure = true',
      '',
    ].join('\n'));
    return { args: [...versionArgs, '--config', configPath], env: process.env };
  }
  if (httpReceiverAddress !== undefined) {
    // containerd's default protocol; the exporter appends /v1/traces to the base endpoint. Inherited
    // signal-specific settings would win over it, so they are dropped.
    const env: NodeJS.ProcessEnv = { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: `http://${httpReceiverAddress}` };
    for (const name of ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL']) delete env[name];
    return { args: versionArgs, env };
  }
  return {
    args: versionArgs,
    env: { ...process.env, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://${receiverAddress}`, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' },
  };
}
