// The Pulumi program entry: written in the foundation commit.
