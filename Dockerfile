# kabar's container image: one static binary (CGO_ENABLED=0, SQLite in pure
# Go) on a distroless base. The same image runs every role:
#   kabar run | work | serve | migrate | migrate-store
# See docs/operations.md; compose.yaml runs it on PostgreSQL.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/kabar ./cmd/kabar \
 && mkdir -p /out/data

# static-debian12 brings CA certificates; time zones are built into the
# binary (time/tzdata); :nonroot runs as uid 65532.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/kabar /usr/local/bin/kabar
COPY --from=build --chown=65532:65532 /out/data /data
WORKDIR /data
ENV KABAR_DB=/data/kabar.db \
    KABAR_ADDR=0.0.0.0:8080 \
    KABAR_LOG=json
EXPOSE 8080
VOLUME ["/data"]
ENTRYPOINT ["/usr/local/bin/kabar"]
CMD ["run"]
