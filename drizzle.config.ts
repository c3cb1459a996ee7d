import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './main/core/db/schema/index.ts',
  out: './migrations',
});
