"""Reads a signed PDF's signature structure with pikepdf and asn1crypto (Debian's python3),
independently of Certyneo's code, and prints it as JSON: each signature field in order, its
dictionary, whether its widget is listed in its page's /Annots, the DocMDP certification the
catalog points to, and the CMS signed attributes."""
import json
import sys

import pikepdf
from asn1crypto import cms

pdf = pikepdf.open(sys.argv[1])
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
for field in pdf.Root.AcroForm.Fields:
    if field.get("/FT") != "/Sig" or "/V" not in field:
        continue
    sig = field.V
    info = cms.ContentInfo.load(bytes(sig.Contents))
    signer = info["content"]["signer_infos"][0]
    unsigned = signer["unsigned_attrs"]
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
    })
print(json.dumps({"signatures": signatures, "perms": docmdp is not None}))
