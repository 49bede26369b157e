# Portico's container image: `docker build -t portico .` (see README, "Running in production").
# CI does not build it (base images cannot be pulled there); keep it minimal and conventional.

# --- build: install everything, compile src/ to dist/ ---
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts ./scripts
# Scripts off: `prepare` would build before the sources are here; better-sqlite3's own install
# (its prebuilt binary) is run explicitly.
RUN npm ci --ignore-scripts --no-audit --no-fund && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
RUN npm run build

# --- runtime: production packages and the compiled program, as a non-root user ---
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    PORTICO_DATA_DIR=/var/lib/portico
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY --from=build /app/dist ./dist
# With dist/ present and no TypeScript, `prepare` (scripts/build.mjs) keeps what was built.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
RUN mkdir -p /var/lib/portico && chown node:node /var/lib/portico
USER node
VOLUME ["/var/lib/portico"]
EXPOSE 8080
# Ready: the database (and Redis when configured) answer; see /readyz in the README.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "/app/bin/portico.js"]
CMD ["serve"]
