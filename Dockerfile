# syntax=docker/dockerfile:1
# Multi-stage build: compile in the Rust image with the dependency and build caches kept
# between builds (BuildKit cache mounts), run on slim Debian as an unprivileged user.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p anjoman \
    && strip target/release/anjoman \
    && cp target/release/anjoman /usr/local/bin/anjoman

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home /var/lib/anjoman --create-home anjoman
COPY --from=build /usr/local/bin/anjoman /usr/local/bin/anjoman
USER anjoman
WORKDIR /var/lib/anjoman
ENV ANJOMAN_SERVER__HOST=0.0.0.0 \
    ANJOMAN_UPLOADS_DIR=/var/lib/anjoman/uploads \
    ANJOMAN_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["anjoman"]
CMD ["serve"]
