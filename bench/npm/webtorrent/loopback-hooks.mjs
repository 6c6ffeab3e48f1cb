// Module resolution hook: when webtorrent-cli imports 'webtorrent', give it the
// loopback-only subclass in loopback-client.cjs instead.
export async function resolve (specifier, context, nextResolve) {
  if (specifier === 'webtorrent' && context.parentURL && context.parentURL.includes('/webtorrent-cli/')) {
    return { url: new URL('./loopback-client.cjs', import.meta.url).href, format: 'commonjs', shortCircuit: true }
  }
  return nextResolve(specifier, context)
}
