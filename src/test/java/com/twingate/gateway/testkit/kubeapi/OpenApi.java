package com.twingate.gateway.testkit.kubeapi;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code /openapi/v2}: a document that publishes no paths and no schemas. kubectl apply (with its
 * default validation) will not start without an OpenAPI v2 document, and kubectl 1.27 fetches it
 * before anything else; finding no schema for a kind, it validates nothing client-side, finds no
 * {@code fieldValidation} support to delegate to, and builds its strategic merge patches from the
 * types compiled into it. kubectl fetches the document as protobuf (gnostic's {@code openapi_v2.Document}),
 * so that is what it gets; other clients get the same document as JSON. {@code /openapi/v3} stays
 * 404, from which every kubectl here falls back to v2.
 */
final class OpenApi {

    static final String PATH = "/openapi/v2";

    /** What kubectl accepts; {@code @} is not allowed in a media type, so it is answered under the newer name. */
    private static final String PROTOBUF_ACCEPTED = "com.github.proto-openapi.spec.v2";
    private static final String PROTOBUF = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";
    private static final String SWAGGER = "2.0";
    private static final String TITLE = "Kubernetes";
    private static final String VERSION = "v1.30.0";

    private OpenApi() {}

    static void v2(Request request, Response response, Callback callback) {
        String accept = request.getHeaders().get("Accept");
        if (accept == null || !accept.contains(PROTOBUF_ACCEPTED)) {
            Statuses.writeJson(response, callback, HttpStatus.OK_200,
                    Map.of("swagger", SWAGGER, "info", Map.of("title", TITLE, "version", VERSION), "paths", Map.of()));
            return;
        }
        // Document{swagger = 1, info = 2 (Info{title = 1, version = 2}), paths = 8 (empty)}.
        ByteArrayOutputStream info = new ByteArrayOutputStream();
        field(info, 1, TITLE.getBytes(StandardCharsets.UTF_8));
        field(info, 2, VERSION.getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream document = new ByteArrayOutputStream();
        field(document, 1, SWAGGER.getBytes(StandardCharsets.UTF_8));
        field(document, 2, info.toByteArray());
        field(document, 8, new byte[0]);
        response.setStatus(HttpStatus.OK_200);
        response.getHeaders().put("Content-Type", PROTOBUF);
        response.write(true, ByteBuffer.wrap(document.toByteArray()), callback);
    }

    /** A protobuf length-delimited field (wire type 2): strings and embedded messages. */
    private static void field(ByteArrayOutputStream out, int number, byte[] value) {
        varint(out, (number << 3) | 2);
        varint(out, value.length);
        out.writeBytes(value);
    }

    private static void varint(ByteArrayOutputStream out, int value) {
        while ((value & ~0x7F) != 0) {
            out.write((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.write(value);
    }
}
