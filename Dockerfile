# One image per service, built from one Dockerfile: `docker build --target capture|pivot|backfill .`
# Node 24 runs the TypeScript sources directly (type stripping), so there is no build step to ship.
FROM node:24-bookworm-slim AS base
ENV NODE_ENV=production NODE_OPTIONS=--disable-warning=TimeoutNegativeWarning
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages ./packages
COPY services ./services
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && rm -rf packages/*/src/*.test.ts services/*/src/*.test.ts
USER node

FROM base AS capture
# A small young generation and a capped old generation keep the capture's RSS flat (under 300 MB even for a
# one-million-row transaction, test/capture/big-transaction.test.ts); without them V8 grows the heap lazily.
ENV NODE_OPTIONS="--disable-warning=TimeoutNegativeWarning --max-semi-space-size=2 --max-old-space-size=160"
EXPOSE 9464
CMD ["node", "services/capture/src/main.ts"]

FROM base AS pivot
# Heap flags of every service: packages/config/src/node-flags.ts says why (test/unit/node-flags.test.ts checks these).
ENV NODE_OPTIONS="--disable-warning=TimeoutNegativeWarning --max-semi-space-size=2 --max-old-space-size=256"
EXPOSE 9464
CMD ["node", "services/pivot/src/main.ts"]

FROM base AS backfill
ENV NODE_OPTIONS="--disable-warning=TimeoutNegativeWarning --max-semi-space-size=1 --max-old-space-size=384"
EXPOSE 9464
CMD ["node", "services/backfill/src/main.ts"]

FROM base AS cli
ENTRYPOINT ["node", "packages/cli/src/bin.ts"]
