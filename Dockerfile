# syntax=docker/dockerfile:1
# The worker runs its TypeScript sources through tsx (a runtime dependency): there is no build step.

FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:22-bookworm-slim
ENV NODE_ENV=production \
    ADMIN_PORT=9400
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY drizzle ./drizzle
# the image's files stay root-owned and read-only to the process
USER node
EXPOSE 9400
# /healthz answers while the process is up; readiness (/readyz) is for orchestrators that route traffic
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.ADMIN_PORT || 9400) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/asset-worker.js"]
CMD ["start"]
