package io.hps.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MissListTest {

    @Test
    void shouldKeepMissesInOrderUntilCleared() {
        MissList misses = new MissList(3);
        misses.add(4);
        misses.add(1);

        assertThat(misses.count()).isEqualTo(2);
        assertThat(misses.index(0)).isEqualTo(4);
        assertThat(misses.index(1)).isEqualTo(1);
        assertThat(misses).hasToString("MissList[4, 1]");
        misses.clear();
        assertThat(misses.count()).isZero();
    }

    @Test
    void shouldRejectMoreMissesThanItsSize() {
        MissList misses = new MissList(1);
        misses.add(0);

        assertThatThrownBy(() -> misses.add(1)).hasMessage("miss list full: maxCount=1");
        assertThatThrownBy(() -> misses.index(1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> misses.count(2)).hasMessage("miss count out of range: count=2 maxCount=1");
    }

    @Test
    void shouldAcceptABulkWriteIntoItsArray() {
        MissList misses = new MissList(4);
        misses.indices()[0] = 7;
        misses.indices()[1] = 9;

        misses.count(2);

        assertThat(misses.index(1)).isEqualTo(9);
    }
}
