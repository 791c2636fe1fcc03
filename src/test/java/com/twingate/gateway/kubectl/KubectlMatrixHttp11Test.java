package com.twingate.gateway.kubectl;

/** The kubectl matrix with {@code http2.enabled = false}: HTTP/1.1 on both sides of the gateway. */
class KubectlMatrixHttp11Test extends KubectlMatrix {

    KubectlMatrixHttp11Test() {
        super(false);
    }
}
