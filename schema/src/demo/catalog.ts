// Word lists the demo world draws names from: industrial-distribution products, company
// names, people and carriers. Plain data, kept apart so the generator reads as logic.
export const WAREHOUSES = [
  { code: "ATL1", name: "Atlanta Distribution Center", region: "SOUTHEAST" },
  { code: "CHI1", name: "Chicago Distribution Center", region: "MIDWEST" },
  { code: "RNO1", name: "Reno Distribution Center", region: "WEST" },
] as const;

export const PRODUCT_FAMILIES = [
  { noun: "Hex Bolt", sizes: ["M6x20", "M8x40", "M10x50", "M12x80"], uom: "BOX", price: [8, 60], weight: [0.5, 4] },
  { noun: "Lock Nut", sizes: ["M6", "M8", "M10", "M12"], uom: "BOX", price: [5, 30], weight: [0.3, 2] },
  { noun: "Safety Glove", sizes: ["S", "M", "L", "XL"], uom: "CASE", price: [20, 90], weight: [1, 6] },
  { noun: "Pallet Wrap", sizes: ["18in", "20in", "24in"], uom: "CASE", price: [40, 120], weight: [8, 18] },
  { noun: "Ball Bearing", sizes: ["6201", "6203", "6205", "6308"], uom: "EA", price: [3, 45], weight: [0.05, 1] },
  { noun: "Hydraulic Hose", sizes: ["1/4in 2m", "3/8in 5m", "1/2in 10m"], uom: "EA", price: [25, 240], weight: [1, 9] },
  { noun: "Cable Tie", sizes: ["100mm", "200mm", "300mm"], uom: "BOX", price: [4, 25], weight: [0.2, 1.5] },
  { noun: "LED Floodlight", sizes: ["30W", "50W", "100W", "150W"], uom: "EA", price: [35, 310], weight: [1, 6] },
  { noun: "Drill Bit Set", sizes: ["HSS 13pc", "Cobalt 19pc", "SDS 5pc"], uom: "EA", price: [18, 150], weight: [0.4, 2] },
  { noun: "Shelf Bin", sizes: ["Small", "Medium", "Large"], uom: "CASE", price: [15, 80], weight: [2, 10] },
  { noun: "Work Boot", sizes: ["8", "9", "10", "11", "12"], uom: "EA", price: [60, 180], weight: [1.2, 2.2] },
  { noun: "Extension Cord", sizes: ["10m", "25m", "50m"], uom: "EA", price: [12, 95], weight: [1, 6] },
] as const;

export const PRODUCT_GRADES = ["Standard", "Heavy-Duty", "Stainless", "Zinc-Plated", "Industrial", "Premium", "Economy", "Marine-Grade"] as const;

export const COMPANY_PREFIXES = [
  "Acme",
  "Northwind",
  "Bluewater",
  "Summit",
  "Ironclad",
  "Keystone",
  "Harbor",
  "Redwood",
  "Granite",
  "Pioneer",
  "Cascade",
  "Sterling",
  "Frontier",
  "Apex",
  "Liberty",
  "Atlas",
  "Evergreen",
  "Silverline",
  "Prairie",
  "Copperfield",
] as const;
export const COMPANY_KINDS = [
  "Supply",
  "Industrial",
  "Mechanical",
  "Construction",
  "Facilities",
  "Manufacturing",
  "Logistics",
  "Hardware",
  "Fabrication",
  "Maintenance",
] as const;
export const COMPANY_SUFFIXES = ["Inc.", "LLC", "Co.", "Group", "Corp."] as const;

export const FIRST_NAMES = [
  "Ana",
  "Ben",
  "Chloe",
  "Dmitri",
  "Elena",
  "Farah",
  "Gabriel",
  "Hana",
  "Ivan",
  "Julia",
  "Kofi",
  "Lena",
  "Marco",
  "Nadia",
  "Omar",
  "Priya",
  "Quinn",
  "Rosa",
  "Sam",
  "Tariq",
  "Uma",
  "Victor",
  "Wei",
  "Yara",
  "Zoe",
] as const;
export const LAST_NAMES = [
  "Alvarez",
  "Brooks",
  "Chen",
  "Dubois",
  "Evans",
  "Fischer",
  "Garcia",
  "Hughes",
  "Ito",
  "Jensen",
  "Kowalski",
  "Larsen",
  "Moreau",
  "Nguyen",
  "Okafor",
  "Patel",
  "Rossi",
  "Schmidt",
  "Tanaka",
  "Walsh",
] as const;
export const CONTACT_ROLES = ["Purchasing Manager", "Accounts Payable", "Operations Lead", "Plant Manager", "Buyer"] as const;
export const SALES_REPS = ["Avery Cole", "Jordan Blake", "Morgan Reyes", "Riley Stone", "Casey Kim", "Taylor Fox"] as const;
export const SEGMENTS = ["ENTERPRISE", "MID_MARKET", "SMB"] as const;
export const CARRIERS = ["UPS", "FedEx", "DHL", "XPO Freight", "Old Dominion"] as const;
export const CHANNELS = ["EDI", "PORTAL", "SALES_REP", "PHONE"] as const;
export const CITIES = [
  "Atlanta, GA",
  "Charlotte, NC",
  "Nashville, TN",
  "Chicago, IL",
  "Detroit, MI",
  "Columbus, OH",
  "Reno, NV",
  "Sacramento, CA",
  "Portland, OR",
  "Denver, CO",
] as const;
export const CASE_SUBJECTS = [
  "Damaged items on delivery",
  "Invoice amount query",
  "Request for expedited shipping",
  "Wrong item received",
  "Missing items in shipment",
  "Price agreement renewal",
  "Change of delivery address",
  "Return authorisation request",
] as const;
