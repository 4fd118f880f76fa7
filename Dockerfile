# Multi-stage build: the SQLite driver needs cgo, so build with gcc, then run
# the binary on a slim Debian as a non-root user with its data in a volume.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -trimpath -ldflags="-s -w" -o /out/portfolio ./cmd/portfolio

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home /data portfolio \
 && mkdir -p /data && chown portfolio /data
COPY --from=build /out/portfolio /usr/local/bin/portfolio
USER portfolio
# Production mode: session keys must be given (PORTFOLIO_SESSION_KEYS), the demo is never seeded.
ENV PORTFOLIO_ADDR=0.0.0.0:8080 PORTFOLIO_DATA_DIR=/data PORTFOLIO_PRODUCTION=true
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["portfolio"]
CMD ["serve"]
