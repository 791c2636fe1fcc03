package com.twingate.gateway.testkit.kubeapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Ages read as kubectl users know them from real clusters. */
class TablesTest {

    @Test
    void agesFollowTheApiServersHumanDuration() {
        assertThat(Tables.humanDuration(Duration.ofMillis(-500))).isEqualTo("0s");
        assertThat(Tables.humanDuration(Duration.ofSeconds(119))).isEqualTo("119s");
        assertThat(Tables.humanDuration(Duration.ofSeconds(200))).isEqualTo("3m20s");
        assertThat(Tables.humanDuration(Duration.ofMinutes(4))).isEqualTo("4m");
        assertThat(Tables.humanDuration(Duration.ofMinutes(150))).isEqualTo("150m");
        assertThat(Tables.humanDuration(Duration.ofMinutes(310))).isEqualTo("5h10m");
        assertThat(Tables.humanDuration(Duration.ofHours(30))).isEqualTo("30h");
        assertThat(Tables.humanDuration(Duration.ofHours(76))).isEqualTo("3d4h");
        assertThat(Tables.humanDuration(Duration.ofDays(40))).isEqualTo("40d");
        assertThat(Tables.humanDuration(Duration.ofDays(800))).isEqualTo("2y70d");
    }
}
