// How claims become a principal: a partner claim in any form confines (to nobody when it names no
// customer), never widens to every customer; client-credentials tokens are services.
import { describe, expect, it } from "vitest";
import { mayAccessCustomer } from "@crossdock/platform";
import { principalFromClaims } from "../src/identity/claims.js";

describe("principalFromClaims", () => {
  it("makes a partner of any customer_number claim, confined to nobody unless it names a customer", () => {
    const scopes = "orders:read orders:write";
    expect(principalFromClaims({ sub: "acme", scope: scopes, customer_number: "C-10001" })).toEqual({
      kind: "partner",
      subject: "acme",
      scopes: ["orders:read", "orders:write"],
      customerNumber: "C-10001",
    });
    for (const odd of ["", 10001, null, ["C-10001"], { id: "C-10001" }]) {
      const principal = principalFromClaims({ sub: "acme", scope: scopes, customer_number: odd });
      if (odd === null) {
        expect(principal.kind).toBe("user");
        continue;
      }
      expect(principal).toMatchObject({ kind: "partner", customerNumber: "" });
      expect(mayAccessCustomer(principal, "C-10001")).toBe(false);
      expect(mayAccessCustomer(principal, "C-10002")).toBe(false);
    }
  });

  it("makes a service of a client-credentials token and a user of anything else", () => {
    expect(principalFromClaims({ sub: "erp-sync", client_id: "erp-sync", scope: "orders:read" }).kind).toBe("service");
    expect(principalFromClaims({ sub: "ann", client_id: "portal", scope: "orders:read" }).kind).toBe("user");
  });
});
