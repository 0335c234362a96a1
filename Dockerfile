# syntax=docker/dockerfile:1
# Build: compiles TypeScript and the native state-store driver with the full toolchain.
FROM node:22-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY checks ./checks
COPY alerts ./alerts
RUN npm run build && npm prune --omit=dev

# Runtime: production dependencies and compiled code only, as an unprivileged user.
FROM node:22-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/package.json ./package.json
COPY examples ./examples
RUN useradd --system --uid 10001 --home /app guardrail && mkdir -p /app/.guardrail && chown guardrail /app/.guardrail
USER guardrail
EXPOSE 9464
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "require('http').get('http://127.0.0.1:'+(process.env.GUARDRAIL_PORT||9464)+'/healthz',r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["serve"]
