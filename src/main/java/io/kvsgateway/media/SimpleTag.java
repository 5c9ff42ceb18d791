package io.kvsgateway.media;

/**
 * A Matroska SimpleTag inside Tags/Tag: how KVS producers attach fragment metadata and mark a fragment's end.
 *
 * @param name the TagName; never {@literal null}
 * @param value the TagString, empty when the tag has none (or only a TagBinary); never {@literal null}
 */
public record SimpleTag(String name, String value) {

	/**
	 * The tag a KVS producer sends after each fragment's Cluster: the fragment is complete at that point, without
	 * waiting for the next Cluster.
	 */
	public static final String END_OF_FRAGMENT = "AWS_KINESISVIDEO_END_OF_FRAGMENT";

	/** @return whether this is the KVS end-of-fragment marker. */
	public boolean isEndOfFragment() {
		return END_OF_FRAGMENT.equals(this.name);
	}

}
