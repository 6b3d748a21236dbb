package io.hwnas.datasets;

import io.hwnas.core.HwnasException;

/**
 * Training-time augmentation: a random crop of the image padded with {@code padding} zero pixels
 * on each side (i.e. a random shift by -padding..+padding in x and y, uncovered pixels black),
 * then a horizontal flip with probability 1/2 if {@code flip}. Random draws come from
 * {@link Batches} and depend only on (seed, epoch, batch index).
 */
public record Augment(int padding, boolean flip) {
    /** No augmentation (evaluation, architecture steps if you like). */
    public static final Augment NONE = new Augment(0, false);

    public Augment {
        HwnasException.require(padding >= 0, "padding", padding, "must be >= 0");
    }

    /**
     * The usual recipe: padding 4 for images of 32 pixels or more (CIFAR), 2 below (28x28
     * Fashion-MNIST), and horizontal flip. Flip is on for every dataset hwnas loads: CIFAR-10
     * and Fashion-MNIST classes are unchanged by a mirror (Fashion-MNIST with crop + flip is a
     * standard recipe, e.g. Zhong et al., Random Erasing, AAAI 2020); for digits you would turn it off.
     */
    public static Augment standard(ImageSet set) {
        int padding = Math.min(set.height(), set.width()) >= 32 ? 4 : 2;
        return new Augment(padding, true);
    }

    public boolean isNone() {
        return padding == 0 && !flip;
    }
}
