// TEST-ONLY certificates (generated with openssl for these tests; valid for 100 years).
// The key below protects nothing: it belongs to a throwaway CA-signed certificate for
// 127.0.0.1 / localhost used by local TLS servers in unit tests.

/** A test CA. */
export const TEST_CA_CERT = `-----BEGIN CERTIFICATE-----
MIIBizCCATGgAwIBAgIUVOOKEAH0zVMw3zWPrXaYwao63sUwCgYIKoZIzj0EAwIw
GjEYMBYGA1UEAwwPcGF5Z3JpZC10ZXN0LWNhMCAXDTI2MTEyNTAyMTExOFoYDzIx
MjYxMTAxMDIxMTE4WjAaMRgwFgYDVQQDDA9wYXlncmlkLXRlc3QtY2EwWTATBgcq
hkjOPQIBBggqhkjOPQMBBwNCAAQHBgLKV7TRnHPz5t/dAko0EjsZ51rEsRK5VZZZ
VkINHLundVUBlYGrUWYagL8CndrXJfEqngDSyAfj4PaM5XmBo1MwUTAdBgNVHQ4E
FgQUJ1QRtjDngniGj0uCZuX+vL+eJGYwHwYDVR0jBBgwFoAUJ1QRtjDngniGj0uC
ZuX+vL+eJGYwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiBP652O
hRPcSpB4Qmet6W5i851xmHNKQksilyiEsArNDgIhAKAOzj0TDmlmK7waJdDKeHCg
nM+ohc4Ofb38zzTAUcpG
-----END CERTIFICATE-----
`;

/** A server certificate for IP 127.0.0.1 and DNS localhost, signed by TEST_CA_CERT. */
export const TEST_SERVER_CERT = `-----BEGIN CERTIFICATE-----
MIIBpjCCAUugAwIBAgIUFOg5Asda07clBIhVUygRJsBxMWowCgYIKoZIzj0EAwIw
GjEYMBYGA1UEAwwPcGF5Z3JpZC10ZXN0LWNhMCAXDTI2MTEyNTAyMTExOFoYDzIx
MjYxMTAxMDIxMTE4WjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIB
BggqhkjOPQMBBwNCAATcrEkKBLLhT6bKXfC9jahaqNNChQbHgofA6d6qOA3sKG6C
0MaDQf+kkqa/PMNn2JhEg+ldh5z3issvAQJUyQk1o3MwcTAaBgNVHREEEzARhwR/
AAABgglsb2NhbGhvc3QwEwYDVR0lBAwwCgYIKwYBBQUHAwEwHQYDVR0OBBYEFIoK
4slrpHZHzpu5Q/QhO8LUJBLgMB8GA1UdIwQYMBaAFCdUEbYw54J4ho9Lgmbl/ry/
niRmMAoGCCqGSM49BAMCA0kAMEYCIQCBmF2EAJlFoyARaqc24pp7JayZNXjE98Hj
1o4KD/fKzAIhAIe61evnEHna++yqOCM8L0XyLPjg/ElBCpM4mXazt2wE
-----END CERTIFICATE-----
`;

/** The private key of TEST_SERVER_CERT (PKCS#8). */
export const TEST_SERVER_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgOaSqk9DPbDYSCG7x
H34VeGyAvqEvHtLoJcz4BjTjBS6hRANCAATcrEkKBLLhT6bKXfC9jahaqNNChQbH
gofA6d6qOA3sKG6C0MaDQf+kkqa/PMNn2JhEg+ldh5z3issvAQJUyQk1
-----END PRIVATE KEY-----
`;

export const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
