// Entity references to types other subgraphs own (the ERP's Customer and Order). The CRM hands
// out only the key; the gateway fetches every other field from the owner.
export interface CustomerReference {
  customerNumber: string;
}

export interface OrderReference {
  orderNumber: string;
}

export function customerReference(customerNumber: string): CustomerReference {
  return { customerNumber };
}

export function orderReference(orderNumber: string | null): OrderReference | null {
  return orderNumber === null ? null : { orderNumber };
}
