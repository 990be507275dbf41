import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The flags and environment runtime-sim needs to export its traces to an OTLP/gRPC receiver, the way
 * each real runtime is configured: CRI-O takes --enable-tracing and --tracing-endpoint (its root
 * sampling rate, default 0, follows the kubelet's decision); containerd 2.x reads
 * OTEL_EXPORTER_OTLP_TRACES_* (http/protobuf by default, so the protocol is set to grpc); containerd 1.6
 * reads the otlp plugin table of its config.toml (sampling_ratio stays at its default 1.0).
 */
export function runtimeExportSetup(
  persona: 'crio' | 'containerd',
  personaVersion: string | undefined,
  receiverAddress: string,
  workDir: string,
  crioSamplingRatePerMillion = 0,
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
  return {
    args: versionArgs,
    env: { ...process.env, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://${receiverAddress}`, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' },
  };
}
