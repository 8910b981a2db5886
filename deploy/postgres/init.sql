-- Run once, when the postgres volume is first initialised: one database per bounded context
-- (a context owns its tables; none reads another's).
CREATE DATABASE mypay_membership;
CREATE DATABASE mypay_banking;
CREATE DATABASE mypay_money;
CREATE DATABASE mypay_remittance;
CREATE DATABASE mypay_payment;
CREATE DATABASE mypay_settlement;
CREATE DATABASE mypay_query;
