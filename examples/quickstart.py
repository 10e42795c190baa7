# The product page's Python quick start, unchanged but for the base URL:
#   CERTYNEO_URL=http://localhost:3000 CERTYNEO_API_KEY=sk_test_… python3 examples/quickstart.py
# Run it where a contrat.pdf is. Needs requests (pip install requests, or Debian's python3-requests).
import os, requests

BASE = os.environ.get("CERTYNEO_URL", "http://localhost:3000")
auth = {"Authorization": f"Bearer {os.environ['CERTYNEO_API_KEY']}"}

# 1. Upload the PDF (multipart).
with open("contrat.pdf", "rb") as f:
    doc = requests.post(
        f"{BASE}/api/v1/documents",
        headers=auth,
        files={"file": ("contrat.pdf", f, "application/pdf")},
    ).json()

# 2. Create the DRAFT envelope.
envelope = requests.post(
    f"{BASE}/api/v1/envelopes",
    headers={**auth, "Content-Type": "application/json"},
    json={
        "subject": "Contrat de prestation",
        "documentIds": [doc["id"]],
        "recipients": [
            {"email": "client@example.com", "name": "Marie Dubois", "role": "SIGNER"},
        ],
    },
).json()

# 3. Dispatch — this triggers the invitation channel for every recipient.
requests.post(
    f"{BASE}/api/v1/envelopes/{envelope['id']}/send",
    headers=auth,
)
print(envelope["id"])
