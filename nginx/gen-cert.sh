#!/usr/bin/env bash
# A self-signed certificate for trying Anjoman locally: nginx/certs/{fullchain,privkey}.pem
# (or into the directory given). For a public server use Let's Encrypt (README, "Deploy").
set -euo pipefail
dir="${1:-$(dirname "$0")/certs}"
name="${2:-localhost}"
mkdir -p "$dir"
openssl req -x509 -newkey rsa:2048 -sha256 -days 365 -nodes \
  -keyout "$dir/privkey.pem" -out "$dir/fullchain.pem" \
  -subj "/CN=$name" \
  -addext "subjectAltName=DNS:$name,DNS:localhost,IP:127.0.0.1,IP:127.0.0.2" 2>/dev/null
chmod 600 "$dir/privkey.pem"
echo "wrote $dir/fullchain.pem and $dir/privkey.pem for $name"
