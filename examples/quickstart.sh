#!/usr/bin/env bash
# The product page's curl quick start, unchanged but for the base URL and the key:
#   CERTYNEO_URL=http://localhost:3000 CERTYNEO_API_KEY=sk_test_… bash examples/quickstart.sh
# Run it where a contrat.pdf is. Needs curl and jq.
set -euo pipefail
BASE="${CERTYNEO_URL:-http://localhost:3000}"
KEY="${CERTYNEO_API_KEY:?set CERTYNEO_API_KEY}"

# 1. Upload the PDF (multipart) and capture the returned document id.
DOC_ID=$(curl -s -X POST $BASE/api/v1/documents \
  -H "Authorization: Bearer $KEY" \
  -F "file=@contrat.pdf" | jq -r .id)

# 2. Create a DRAFT envelope referencing the uploaded document.
ENV_ID=$(curl -s -X POST $BASE/api/v1/envelopes \
  -H "Authorization: Bearer $KEY" \
  -H "Content-Type: application/json" \
  -d "{
    \"subject\": \"Contrat de prestation\",
    \"documentIds\": [\"$DOC_ID\"],
    \"recipients\": [
      { \"email\": \"client@example.com\", \"name\": \"Marie Dubois\", \"role\": \"SIGNER\" }
    ]
  }" | jq -r .id)

# 3. Dispatch the envelope — this sends the invitation email/SMS.
curl -X POST $BASE/api/v1/envelopes/$ENV_ID/send \
  -H "Authorization: Bearer $KEY"
