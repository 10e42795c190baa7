"""Reads a signed PDF's signature structure with pikepdf and asn1crypto (Debian's python3),
independently of Certyneo's code, and prints it as JSON: each signature field in order, its
dictionary, whether its widget is listed in its page's /Annots, the DocMDP certification the
catalog points to, and the CMS signed attributes."""
import hashlib
import json
import os
import sys

import pikepdf
from asn1crypto import cms

pdf = pikepdf.open(sys.argv[1])
dump = sys.argv[2] if len(sys.argv) > 2 else None
raw = open(sys.argv[1], "rb").read()


def write(name, data):
    if dump:
        with open(os.path.join(dump, name), "wb") as f:
            f.write(data)
perms = pdf.Root.get("/Perms")
docmdp = perms.get("/DocMDP") if perms is not None else None


def annotated(field):
    page = field.get("/P")
    if page is None:
        return False
    return any(a.objgen == field.objgen for a in page.get("/Annots", []))


def transforms(sig):
    out = []
    for ref in sig.get("/Reference", []):
        params = ref.get("/TransformParams", {})
        out.append({
            "method": str(ref.get("/TransformMethod")),
            "P": int(params.get("/P", 0)) if "/P" in params else None,
            "V": str(params.get("/V")) if "/V" in params else None,
        })
    return out


signatures = []
for index, field in enumerate(f for f in pdf.Root.AcroForm.Fields if f.get("/FT") == "/Sig" and "/V" in f):
    sig = field.V
    contents = bytes(sig.Contents)
    info = cms.ContentInfo.load(contents)
    signer = info["content"]["signer_infos"][0]
    unsigned = signer["unsigned_attrs"]
    a, b, c, d = [int(x) for x in sig.ByteRange]
    write(f"sig-{index}.der", info.dump())
    token = None
    if unsigned.native:
        for attr in unsigned:
            if attr["type"].native == "signature_time_stamp_token":
                token = attr["values"][0].dump()
                write(f"sig-{index}-tst.der", token)
    signatures.append({
        "field": str(field.T),
        "type": str(sig.get("/Type")),
        "subFilter": str(sig.get("/SubFilter")),
        "M": str(sig.get("/M")) if "/M" in sig else None,
        "widgetInAnnots": annotated(field),
        "certifies": docmdp is not None and docmdp.objgen == sig.objgen,
        "transforms": transforms(sig),
        "signedAttributes": [a["type"].native for a in signer["signed_attrs"]],
        "unsignedAttributes": [a["type"].native for a in unsigned] if unsigned.native else [],
        "rangeDigest": hashlib.sha256(raw[a:a + b] + raw[c:c + d]).hexdigest(),
        "signatureValueDigest": hashlib.sha256(signer["signature"].native).hexdigest(),
        "coversWholeFile": c + d == len(raw),
    })
dss = pdf.Root.get("/DSS")
counts = {}
for key in ("/Certs", "/CRLs", "/OCSPs"):
    items = list(dss.get(key, [])) if dss is not None else []
    counts[key[1:].lower()] = len(items)
    for i, stream in enumerate(items):
        write(f"dss-{key[1:].lower()}-{i}.der", stream.read_bytes())
print(json.dumps({"signatures": signatures, "perms": docmdp is not None, "dss": counts}))
