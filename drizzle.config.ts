import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './db/schema.ts',
  out: './db/migrations',
  dbCredentials: {
    url: process.env.LAYERLAB_HOME ? `${process.env.LAYERLAB_HOME}/layerlab.db` : './.layerlab/layerlab.db',
  },
});
