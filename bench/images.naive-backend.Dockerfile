# The naive single-stage image bench/images.ts compares Dockerfile.backend with: the base image,
# every dependency (dev ones included), the sources and the build output, all in one stage.
# Not for use: it ships the toolchain, the sources and npm, and runs as root.
ARG BUILD_IMAGE=docker.io/library/node:24.13.1-alpine@sha256:4f696fbf39f383c1e486030ba6b289a5d9af541642fc78ab197e584a113b9c03
FROM ${BUILD_IMAGE}
ARG PNPM_VERSION=12.4.2
ARG PRISMA_SCHEMA_ENGINE_BINARY
WORKDIR /app
# The CA secret only lets this machine reach the registry; it is no part of the comparison.
RUN --mount=type=secret,id=ca,required=false NODE_EXTRA_CA_CERTS=/run/secrets/ca npm install --global pnpm@${PNPM_VERSION}
COPY backend/ ./
RUN --mount=type=secret,id=ca,required=false NODE_EXTRA_CA_CERTS=/run/secrets/ca pnpm install --frozen-lockfile
RUN pnpm exec prisma generate && pnpm run build
EXPOSE 3000
CMD ["node", "dist/main.js"]
