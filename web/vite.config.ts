// The web app's build (issue 10): Preact with signals, one shell for the wallet (/), the merchant pages
// (/merchant) and the staff console (/admin); the merchant and staff code are chunks of their own, loaded
// only on their pages. `npm install` builds it (scripts/build-web.mjs), and so does `npm start` when a
// source is newer than the build. The gateway serves web/dist (src/gateway/web.ts).
import { defineConfig } from "vite";

export default defineConfig({
  root: import.meta.dirname,
  base: "/",
  publicDir: false,
  logLevel: "warn",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // Scripts as files only: the CSP allows no inline script, so nothing may be inlined.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    reportCompressedSize: false,
  },
});
