import type { TextMapPropagator, Tracer } from '@opentelemetry/api';
import type { KubeletMetrics } from '../metrics/kubelet-metrics';
import type { HealthChecker } from './healthz';
import { goHttpError, HEALTHZ, PING_HEALTHZ, serveRootHealthz, serveSingleCheck } from './healthz';
import { otelRestfulFilter, OTEL_RESTFUL } from './otel-restful-filter';
import type { PodListSource } from './pod-list';
import { buildPodList } from './pod-list';
import { RestfulContainer } from './restful-container';
import type { ContainerLogsHost } from './container-logs';
import { serveContainerLogs } from './container-logs';
import type { StreamingHost } from './streaming-handlers';
import { serveAttach, serveExec, servePortForward, serveRun } from './streaming-handlers';

/** Paths of pkg/kubelet/server/server.go that kubelet-sim serves. */
export const KUBELET_PATH = {
  PODS: '/pods',
  METRICS: '/metrics',
  HEALTHZ: HEALTHZ.PATH,
} as const;

export interface KubeletHandlerOptions {
  /** ping, log, syncloop (+ the container manager's checkers upstream), in the order `/healthz` lists them. */
  healthChecks: readonly HealthChecker[];
  pods: PodListSource;
  metrics: KubeletMetrics;
  /**
   * The tracer of the otelrestful scope, or undefined when the KubeletTracing gate is off (no filter
   * installed). With the gate on and no `tracing` block the kubelet's provider is a no-op one: pass its tracer.
   */
  tracer: Tracer | undefined;
  /** The read-only server adds otelrestful.WithPublicEndpoint(). */
  publicEndpoint: boolean;
  propagator?: TextMapPropagator;
  logHealthzFailure?: (line: string) => void;
  /**
   * The authorization-required handlers (server.go InstallAuthRequiredHandlers: /run, /exec, /attach,
   * /portForward, /containerLogs), which only the main server installs; absent on the read-only server.
   */
  authRequired?: { logs: ContainerLogsHost; streaming: StreamingHost };
}

/**
 * The kubelet's HTTP handler (server.go NewServer + InstallTracingFilter), for the endpoints kubelet-sim
 * serves. InstallAuthNotRequiredHandlers registers `/healthz` (and `/healthz/<check>`) and `/metrics` with
 * `Handle`, and `/pods` as a go-restful web service with one GET route. The tracing filter is added last, as
 * ListenAndServeKubeletServer does after NewServer, and applies to all of them (Handle paths included, through
 * filteringContainer), but only `/pods` has a route template to name its span.
 * Deviation: the real main server is HTTPS with authentication and authorization filters in front; kubelet-sim
 * serves plain HTTP on loopback with no authentication.
 */
export function newKubeletHandler(options: KubeletHandlerOptions): RestfulContainer {
  const container = new RestfulContainer();
  installHealthz(container, options.healthChecks, options.logHealthzFailure);
  container.route('GET', KUBELET_PATH.PODS, () => ({
    status: 200,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(buildPodList(options.pods)),
  }));
  container.handle(KUBELET_PATH.METRICS, async () => {
    try {
      return { status: 200, headers: { 'Content-Type': options.metrics.contentType }, body: await options.metrics.exposition() };
    } catch (err) {
      // promhttp's HTTPErrorOnError: the gathering error as a 500.
      return goHttpError(`An error has occurred while serving metrics:\n\n${(err as Error).message}`, 500);
    }
  });
  if (options.authRequired !== undefined) installAuthRequiredHandlers(container, options.authRequired);
  if (options.tracer !== undefined) {
    container.filter(otelRestfulFilter(options.tracer, { service: OTEL_RESTFUL.KUBELET_SERVICE, publicEndpoint: options.publicEndpoint, propagator: options.propagator }));
  }
  return container;
}

/**
 * The separate healthz server (cmd/kubelet/app/server.go): a plain http.ServeMux with
 * `healthz.InstallHandler(mux)` and no checks, so only the default `ping` — and no tracing filter.
 */
export function newHealthzHandler(): RestfulContainer {
  const mux = new RestfulContainer();
  installHealthz(mux, [PING_HEALTHZ]);
  return mux;
}

/**
 * InstallAuthRequiredHandlers' streaming and log routes, in its order, each a go-restful web service whose
 * route templates name the tracing filter's spans (`/exec/{podNamespace}/{podID}/{containerName}`).
 */
function installAuthRequiredHandlers(container: RestfulContainer, hosts: { logs: ContainerLogsHost; streaming: StreamingHost }): void {
  const { streaming, logs } = hosts;
  for (const template of ['/run/{podNamespace}/{podID}/{containerName}', '/run/{podNamespace}/{podID}/{uid}/{containerName}']) {
    container.route('POST', template, (req) => serveRun(req, streaming));
  }
  for (const [root, serve] of [['/exec', serveExec], ['/attach', serveAttach]] as const) {
    for (const rest of ['/{podNamespace}/{podID}/{containerName}', '/{podNamespace}/{podID}/{uid}/{containerName}']) {
      container.route('GET', root + rest, (req) => serve(req, streaming));
      container.route('POST', root + rest, (req) => serve(req, streaming));
    }
  }
  for (const rest of ['/{podNamespace}/{podID}', '/{podNamespace}/{podID}/{uid}']) {
    container.route('GET', `/portForward${rest}`, (req) => servePortForward(req, streaming));
    container.route('POST', `/portForward${rest}`, (req) => servePortForward(req, streaming));
  }
  container.route('GET', '/containerLogs/{podNamespace}/{podID}/{containerName}', (req) => serveContainerLogs(req, logs));
}

/** healthz.InstallHandler: `/healthz` plus one `/healthz/<name>` per check. */
function installHealthz(container: RestfulContainer, checks: readonly HealthChecker[], logFailure?: (line: string) => void): void {
  container.handle(HEALTHZ.PATH, (req) => serveRootHealthz(checks, req.url.searchParams, logFailure));
  for (const check of checks) container.handle(`${HEALTHZ.PATH}/${check.name}`, () => serveSingleCheck(check));
}
