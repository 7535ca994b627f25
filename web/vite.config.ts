import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// VITE_DSO_ALERTS_API (client.ts): the server the dev server's app talks to (that server lists the dev
// server's origin in DSO_ALERTS_CORS_ORIGINS). Built bundles talk to the server serving them.
export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 800 },
  server: { port: 5173, strictPort: true },
  test: { include: ["src/**/*.test.ts"] },
});
