# syntax=docker/dockerfile:1
# Production runs the compiled build (npm run build): plain JavaScript, no TypeScript loader in the process,
# with the Node flags of package.json's config.node_flags (see the README's Benchmarks section for why).

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY bench ./bench
COPY drizzle ./drizzle
RUN npm run build

FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:22-bookworm-slim
ENV NODE_ENV=production \
    ADMIN_PORT=9400
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/drizzle ./dist/drizzle
# the image's files stay root-owned and read-only to the process
USER node
EXPOSE 9400
# /healthz answers while the process is up; readiness (/readyz) is for orchestrators that route traffic
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.ADMIN_PORT || 9400) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# the flags repeat package.json's config.node_flags (a test keeps the two the same)
ENTRYPOINT ["node", "--max-semi-space-size=4", "--heap-growing-percent=100", "dist/src/cli/main.js"]
CMD ["start"]
