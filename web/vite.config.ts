import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';

// In development the gateway (GraphQL, /api proxy) runs on :4000; in production it serves dist/ itself.
const gateway = 'http://127.0.0.1:4000';

export default defineConfig({
  plugins: [solid()],
  resolve: { alias: { '~': fileURLToPath(new URL('./src', import.meta.url)) } },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: { '/api': gateway, '/graphql': { target: gateway, ws: true } },
  },
  build: { target: 'es2022', sourcemap: true },
});
