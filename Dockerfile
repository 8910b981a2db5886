# syntax=docker/dockerfile:1
# One image for every role of mypay: MYPAY_CONTEXTS picks the context (or the gateway) at run time,
# and `node dist/sandbox-bank/main.js` runs the sandbox bank (deploy/README.md).

FROM node:20-bookworm-slim AS build
WORKDIR /app
# Dependencies first, so that a change under src/ reuses this layer. The prepare script (the build and
# the PGlite template) needs the sources, so it is skipped here and the build runs once they are in.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
# The web app (web/, built by Vite into web/dist) calls the API through the typed client.
COPY web ./web
COPY packages ./packages
# scripts/build.mjs compiles src/ to dist/ and copies each migrations/ folder beside its compiled code,
# where the contexts read them (new URL("./migrations", import.meta.url)), and builds web/dist. The PGlite template in
# node_modules/.cache only speeds up an embedded first start; the services run on PostgreSQL.
RUN npm run build \
  && npm prune --omit=dev \
  && rm -rf node_modules/.cache

FROM node:20-bookworm-slim AS runtime
# tini is PID 1: it forwards SIGTERM to node (which finishes in-flight work within 15 s) and reaps zombies.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
  MYPAY_HOST=0.0.0.0 \
  MYPAY_PORT=8080 \
  MYPAY_DATA_DIR=/app/data
WORKDIR /app
# package.json gives dist/ its "type": "module"; the code stays owned by root, read-only to the process.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The gateway serves the web app from web/dist (src/gateway/web.ts reads ../../web/dist beside dist/).
COPY --from=build /app/web/dist ./web/dist
# The only folder the process writes: the sandbox bank's journal, or an embedded database.
RUN mkdir -p /app/data && chown 1000:1000 /app/data
# The image's `node` user, by number so that Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 8080
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/main.js"]
