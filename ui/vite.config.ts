import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';

// `--mode fake` swaps the Tauri command module for an in-memory fake, so the
// same UI runs in plain Chromium for tests. The app build never contains it.
export default defineConfig(({ mode }) => ({
  plugins: [svelte()],
  clearScreen: false,
  resolve: {
    alias: {
      '$api-impl': fileURLToPath(
        new URL(mode === 'fake' ? './src/lib/api/fake.ts' : './src/lib/api/tauri.ts', import.meta.url),
      ),
    },
  },
  server: { fs: { allow: ['..'] } },
  build: { target: 'es2022', chunkSizeWarningLimit: 800 },
  test: { include: ['tests/unit/**/*.test.ts'] },
}));
