package com.twingate.gateway.kubectl;

/** The kubectl matrix with HTTP/2 offered on both sides of the gateway (the default). */
class KubectlMatrixTest extends KubectlMatrix {

    KubectlMatrixTest() {
        super(true);
    }
}
