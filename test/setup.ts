/**
 * Test-wide environment. The @alicloud/credentials default chain asks the ECS metadata service
 * (100.100.100.200) for a role unless told not to; tests talk to loopback only.
 */
process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED = 'true';
