# Multi-stage build: compile in the Rust image, run on slim Debian as an unprivileged user.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked && strip target/release/anjoman

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/anjoman --create-home anjoman
COPY --from=build /src/target/release/anjoman /usr/local/bin/anjoman
USER anjoman
WORKDIR /var/lib/anjoman
ENV ANJOMAN_SERVER__HOST=0.0.0.0 ANJOMAN_UPLOADS_DIR=/var/lib/anjoman/uploads ANJOMAN_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
ENTRYPOINT ["anjoman"]
CMD ["serve"]
