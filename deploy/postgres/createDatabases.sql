-- One database per system of record and one for the hub (read model, change feed, flows):
-- no SQL can join ERP and WMS tables behind the graph's back. Run once by the postgres image.
CREATE DATABASE crossdock_erp;
CREATE DATABASE crossdock_crm;
CREATE DATABASE crossdock_wms;
CREATE DATABASE crossdock_hub;
