"""Reads what makes a PDF archival (PDF/A-3b) and tagged with pikepdf, and its output intent's ICC
profile with Pillow's LittleCMS (Debian's python3), independently of Certyneo's code; prints JSON."""
import io
import json
import sys

import pikepdf
from PIL import Image, ImageCms

pdf = pikepdf.open(sys.argv[1])
root = pdf.Root

info = {k[1:]: str(v) for k, v in pdf.docinfo.items()}

with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
    metadata = {
        "pdfa": xmp.pdfa_status,
        "title": xmp.get("dc:title"),
        "creator": list(xmp.get("dc:creator") or []),
        "description": xmp.get("dc:description"),
        "producer": xmp.get("pdf:Producer"),
        "creatorTool": xmp.get("xmp:CreatorTool"),
        "createDate": xmp.get("xmp:CreateDate"),
        "modifyDate": xmp.get("xmp:ModifyDate"),
    }


intent = root.OutputIntents[0]
profile_bytes = intent.DestOutputProfile.read_bytes()
profile = ImageCms.ImageCmsProfile(io.BytesIO(profile_bytes))
# The profile's colours against LittleCMS's own sRGB: the same, or it is not sRGB.
transform = ImageCms.buildTransform(profile, ImageCms.createProfile("sRGB"), "RGB", "RGB")
samples = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (10, 128, 200), (255, 255, 255), (0, 0, 0)]
image = Image.new("RGB", (len(samples), 1))
image.putdata(samples)
converted = list(ImageCms.applyTransform(image, transform).getdata())


def tags(element, found):
    kids = element.get("/K")
    if isinstance(kids, pikepdf.Dictionary):
        kids = [kids]
    for kid in kids or []:
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") != "/MCR":
            found.append(str(kid.S))
            tags(kid, found)
    return found


fonts = []
for page in pdf.pages:
    resources = page.Resources.get("/Font")
    for key in (resources.keys() if resources is not None else []):
        font = resources[key]
        descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
        descriptor = descendant.get("/FontDescriptor")
        fonts.append({
            "name": str(font.get("/BaseFont")),
            "embedded": descriptor is not None
            and any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")),
        })

structure = root.get("/StructTreeRoot")
print(json.dumps({
    "metadata": metadata,
    "metadataFiltered": "/Filter" in root.Metadata,
    "info": info,
    "outputIntent": {
        "subtype": str(intent.S),
        "components": int(intent.DestOutputProfile.N),
        "description": ImageCms.getProfileDescription(profile).strip(),
        "sameAsSrgb": converted == samples,
    },
    "associatedFiles": [
        {"name": str(f.get("/UF") if "/UF" in f else f.get("/F")), "relationship": str(f.get("/AFRelationship")),
         "subtype": str(f.EF.F.get("/Subtype"))}
        for f in root.get("/AF", [])
    ],
    "marked": bool(root.get("/MarkInfo", {}).get("/Marked", False)),
    "language": str(root.get("/Lang")),
    "displayDocTitle": bool(root.get("/ViewerPreferences", {}).get("/DisplayDocTitle", False)),
    "structure": tags(structure, []) if structure is not None else [],
    "pagesWithStructParents": sum(1 for p in pdf.pages if "/StructParents" in p.obj),
    "pages": len(pdf.pages),
    "fonts": fonts,
    "trailerId": "/ID" in pdf.trailer,
}))
