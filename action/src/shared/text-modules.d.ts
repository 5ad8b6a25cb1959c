// YAML files imported as text (esbuild `loader: { '.yaml': 'text' }`, and a vitest transform).
declare module '*.yaml' {
  const text: string;
  export default text;
}
