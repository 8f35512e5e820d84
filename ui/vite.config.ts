import preact from '@preact/preset-vite';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The web UI's build: ui/ → dist/ui, which `berth daemon` serves at `/` (docs/ui.md). Everything
 * the page loads is built here and shipped with berth: no CDN, no web fonts. The daemon's CSP
 * allows only same-origin scripts and styles, so nothing may be inlined into index.html.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [preact()],
  build: {
    outDir: fileURLToPath(new URL('../dist/ui', import.meta.url)),
    emptyOutDir: true,
    // Inlined assets would be data: URLs; fonts and images are none, but keep every asset a file.
    assetsInlineLimit: 0,
    // Vite's module preload polyfill is an inline-free script, but modern Chromium/Firefox/Safari need none.
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2022',
    reportCompressedSize: false,
  },
});
