# openwx: build the server and the console, pack them as npm would publish them, and install that
# package with its locked run-time dependencies only. test/deploy/container.test.ts runs these
# same instructions without Docker (test/deploy/recipe.ts), so keep to FROM, WORKDIR, COPY, RUN
# (with npm's cache mounted), ENV, USER, VOLUME, EXPOSE, HEALTHCHECK and CMD, or teach it first.

FROM node:22-bookworm-slim AS build
WORKDIR /build
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY . .
RUN npm run build
RUN npm pack && mv openwx-*.tgz openwx.tgz

FROM node:22-bookworm-slim
ENV NODE_ENV=production OPENWX_DATA_DIR=/data PORT=3000
WORKDIR /app
COPY --from=build /build/openwx.tgz ./
RUN --mount=type=cache,target=/root/.npm \
    tar -xzf openwx.tgz --strip-components=1 --no-same-owner && rm openwx.tgz \
    && npm ci --omit=dev --no-audit --no-fund
# The image's `node` user (uid 1000): numeric, so that runAsNonRoot can check it.
RUN mkdir -p "$OPENWX_DATA_DIR" && chown 1000:1000 "$OPENWX_DATA_DIR"
USER 1000:1000
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "bin/openwx.js", "serve"]
