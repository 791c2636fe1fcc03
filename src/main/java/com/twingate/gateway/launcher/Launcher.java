package com.twingate.gateway.launcher;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The jar's entry point, compiled for Java 8 so that an older Java can run it: there it says in one line
 * that the gateway needs Java 25, instead of an {@code UnsupportedClassVersionError} naming a class file
 * version. On Java 25 it hands over to {@code Main}, found by name so that this class loads on its own.
 */
public final class Launcher {

    static final int REQUIRED = 25;

    private Launcher() {}

    public static void main(String[] args) throws Throwable {
        int running = feature(System.getProperty("java.specification.version"));
        if (running < REQUIRED) {
            System.err.println("kubernetes-access-gateway needs Java " + REQUIRED + " or newer; this is Java "
                    + System.getProperty("java.specification.version") + " (" + System.getProperty("java.home")
                    + "). Run it with a JDK " + REQUIRED + ": $JAVA_HOME/bin/java -jar ...");
            System.exit(1);
        }
        MethodHandle main = MethodHandles.publicLookup().findStatic(Class.forName("com.twingate.gateway.Main"), "main",
                MethodType.methodType(void.class, String[].class));
        main.invokeExact(args);
    }

    /** {@code 1.8} is 8, {@code 17} is 17. */
    static int feature(String specificationVersion) {
        String version = specificationVersion.startsWith("1.") ? specificationVersion.substring(2) : specificationVersion;
        int dot = version.indexOf('.');
        try {
            return Integer.parseInt(dot < 0 ? version : version.substring(0, dot));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
