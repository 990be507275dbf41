/**
 * A Vega-Lite spec rendered to SVG headless (`View.toSVG()`: no browser, no canvas), for the benchmark's charts.
 */

/** The parts of vega and vega-lite used here (both are ESM-only packages with top-level await). */
interface VegaLiteModule {
  compile(spec: object): { spec: object };
}
interface VegaView {
  toSVG(): Promise<string>;
  finalize(): void;
}
interface VegaModule {
  parse(spec: object): unknown;
  View: new (runtime: unknown, options: { renderer: 'none' }) => VegaView;
}

// tsc turns import() into require() under CommonJS, and require() cannot load an ESM graph with top-level await.
const importEsm = new Function('specifier', 'return import(specifier)') as <T>(specifier: string) => Promise<T>;

export async function renderVegaLiteSvg(spec: object): Promise<string> {
  const vl = await importEsm<VegaLiteModule>('vega-lite');
  const vega = await importEsm<VegaModule>('vega');
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The x axis both charts share: the kubelet's samplingRatePerMillion on a log scale (rates above 0 only). */
export const SAMPLING_RATE_AXIS = { field: 'rate', type: 'quantitative', title: 'kubelet samplingRatePerMillion', scale: { type: 'log' } } as const;

/** Legend labels in full: Vega cuts them at 160 px by default ("kubelet-sim, runti…"), which hides the series. */
export const LEGEND = { labelLimit: 0 } as const;
