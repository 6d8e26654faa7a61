import { defineConfig } from "vite";

// A static build: index.html, hashed scripts and styles in dist/. The API
// address is read at run time from /config.json, never baked in. `npm run dev`
// passes /api to a running `make run` (JUSTICIA_API_URL to choose another).
export default defineConfig({
  base: "./",
  build: { outDir: "dist", target: "es2022", sourcemap: false },
  server: {
    host: "127.0.0.1",
    proxy: {
      "/api": {
        target: process.env.JUSTICIA_API_URL ?? "http://127.0.0.1:8000",
        rewrite: (path) => path.replace(/^\/api/, ""),
      },
    },
  },
});
