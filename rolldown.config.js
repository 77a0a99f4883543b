// The CLI as one file (dist/cli/main.bundle.js, which bin/vmmem.js loads): Node then reads and
// compiles one module at start instead of some 200 (vmmem's own and its dependencies'), which
// took ~90 ms of every run (docs/performance.md). Built by `npm run build`, after tsc, from
// tsc's output. Kept at the same depth as dist/cli/main.js, so that the paths it resolves from
// import.meta.url (package.json, the worker threads' scripts in dist/) stay right. vega and
// vega-lite, imported only to draw a figure, stay outside it.
export default {
  input: 'dist/cli/main.js',
  platform: 'node',
  external: ['vega', 'vega-lite'],
  logLevel: 'warn',
  output: { file: 'dist/cli/main.bundle.js', format: 'esm', codeSplitting: false },
};
