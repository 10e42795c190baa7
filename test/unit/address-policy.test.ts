import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  checkDestination,
  isPrivateAddress,
  refusedAddress,
} from "../../src/webhooks/address-policy.js";

/** Each IPv6 transition form, written as in a URL: the embedded IPv4 decides, or the form itself. */
const EMBEDDING: { form: string; of: (ipv4: string) => string[] }[] = [
  {
    form: "IPv4-mapped",
    of: (v4) => [`::ffff:${v4}`, `0:0:0:0:0:ffff:${hex(v4)}`, `::FFFF:${hex(v4)}`],
  },
  { form: "NAT64", of: (v4) => [`64:ff9b::${v4}`, `0064:ff9b:0000::${hex(v4)}`] },
];

const TUNNELS: { form: string; of: (ipv4: string) => string[] }[] = [
  { form: "local-use NAT64", of: (v4) => [`64:ff9b:1::${v4}`, `64:ff9b:1:ff00::${hex(v4)}`] },
  { form: "6to4", of: (v4) => [`2002:${hex(v4)}::1`, `2002:${hex(v4)}:1234:5678:9abc:def0:1`] },
  { form: "IPv4-compatible", of: (v4) => [`::${v4}`, `0:0:0:0:0:0:${hex(v4)}`] },
  { form: "SIIT", of: (v4) => [`::ffff:0:${v4}`, `0:0:0:0:ffff:0:${hex(v4)}`] },
  // Teredo: server 65.54.227.120, client port 40000, client address obfuscated (bits inverted).
  { form: "Teredo", of: (v4) => [`2001:0:4136:e378:8000:63bf:${hex(v4, 0xffff)}`] },
];

function hex(ipv4: string, xor = 0): string {
  const [a, b, c, d] = ipv4.split(".").map(Number) as [number, number, number, number];
  return `${(((a << 8) | b) ^ xor).toString(16)}:${(((c << 8) | d) ^ xor).toString(16)}`;
}

const PRIVATE_IPV4 = ["127.0.0.1", "10.1.2.3", "192.168.1.10", "172.16.0.1", "169.254.169.254"];
const PUBLIC_IPV4 = "93.184.215.14";

async function refusal(address: string): Promise<string | undefined> {
  const destination = await checkDestination(new URL(`https://[${address}]:8443/hook`), false);
  return "refused" in destination ? destination.refused : undefined;
}

describe("webhook address policy: IPv6 transition forms", () => {
  it("judges IPv4-mapped and NAT64 addresses by the IPv4 address they embed", async () => {
    for (const { form, of } of EMBEDDING) {
      for (const v4 of PRIVATE_IPV4) {
        for (const address of of(v4)) {
          assert.ok(isPrivateAddress(address), address);
          const reason = await refusal(address);
          assert.match(reason ?? "", /private, loopback or link-local/, `${form} ${address}`);
          assert.ok(reason?.includes(v4) || form === "IPv4-mapped", `${address}: ${reason}`);
        }
      }
      for (const address of of(PUBLIC_IPV4)) {
        assert.equal(refusedAddress(address), undefined, address);
        const destination = await checkDestination(new URL(`https://[${address}]/`), false);
        assert.ok("addresses" in destination && destination.addresses?.length === 1, address);
      }
    }
  });

  it("refuses 6to4, Teredo, IPv4-compatible, SIIT and local-use NAT64 whatever they embed", async () => {
    for (const { form, of } of TUNNELS) {
      for (const v4 of PRIVATE_IPV4) {
        for (const address of of(v4)) {
          const reason = await refusal(address);
          assert.equal(
            reason,
            `the host resolves to a private, loopback or link-local address (${new URL(`http://[${address}]`).hostname.slice(1, -1)}, ${form} for ${v4})`,
            address,
          );
        }
      }
      for (const address of of(PUBLIC_IPV4)) {
        assert.ok(isPrivateAddress(address), address);
        const reason = await refusal(address);
        assert.match(reason ?? "", new RegExp(`transition address \\(.*, ${form}\\)`), address);
      }
    }
  });

  it("still refuses the plain private forms and accepts public ones", async () => {
    for (const address of [
      "::1",
      "::",
      "fd00::1",
      "fe80::1",
      "fec0::1",
      "ff02::1",
      "2001:db8::1",
    ]) {
      assert.ok(isPrivateAddress(address), address);
      assert.ok(await refusal(address), address);
    }
    for (const address of ["2606:4700:4700::1111", "2a00:1450:4007:80f::200e", "2001:4860::8888"]) {
      assert.equal(refusedAddress(address), undefined, address);
      assert.equal(await refusal(address), undefined, address);
    }
    assert.equal(refusedAddress("8.8.8.8"), undefined);
    assert.ok(isPrivateAddress("not an address"));
  });

  it("lets the operator allow private destinations, transition forms included", async () => {
    for (const address of ["::ffff:127.0.0.1", "2002:7f00:1::1", "64:ff9b::10.0.0.1"]) {
      assert.deepEqual(await checkDestination(new URL(`http://[${address}]/`), true), {
        addresses: null,
      });
    }
  });
});
